"""The school year as a calendar: a school's first day, which year a day falls in, and when someone
first seen counts as new. Low in the layers (docs/architecture.md): acknowledgements, the gradebook
and the courses read it; the school year's pages, digests and tasks (lti_tool/schoolyear) sit above."""
