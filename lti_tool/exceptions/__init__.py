"""Phone exceptions: the school's register of pupils who may use their phone in class, and why in one word.

Since 1 January 2024 phones stay out of Dutch secondary classrooms "no, unless": a lesson needs them,
or a medical or other personal need. Teachers must know who has an exception; the register records
its kind and period, never medical details.
"""
