"""Session records: registers, absences, lessons learnt, debriefs and supervision. Built in the sessions issue."""
