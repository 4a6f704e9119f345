"""The code's gradebook column in the LMS (AGS): placements, line items and a durable score outbox."""
