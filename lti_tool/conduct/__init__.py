"""The school's code of conduct: codes per audience, versions, languages, publishing."""
