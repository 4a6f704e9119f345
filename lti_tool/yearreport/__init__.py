"""The school's yearly report: a school year's incidents, response times, outcomes, acknowledgement
coverage and phone exceptions, anonymised, for the participation council and the yearly incident
analysis that the sector's working-conditions catalogue (Arbocatalogus VO) asks of schools.
"""
from flask import Blueprint

bp = Blueprint("yearreport", __name__, url_prefix="/school/year-report")
