"""The school year: its first day, acknowledging again each year, newcomers' due dates, weekly e-mails."""
