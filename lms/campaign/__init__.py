"""The campaign: units, who must learn what by when, targets, and who has finished.

Each rule has one home:
- units.py, unit_import.py, unit_changes.py: the tree of provinces, communes, wards and special
  zones with their expected counts, its CSV import, and its changes from the web (checked by
  the import's rules); unit_problems.py: the code and the words of each of those rules;
- scope.py: which units a staff member may see;
- audiences.py: who a campaign counts (citizens, civil servants) and the age groups;
- assignments.py: courses and programs assigned to people or units, with due dates; whom an
  assignment reaches (people_assigned: its audience only), for every count, list and reminder;
- reminders.py: reminders of due dates (which is due to whom, their outbox, sending each at
  most once), the notice on a learner's pages, and what organisers see of them;
- targets.py: certification targets and their pace;
- dashboard.py, snapshot.py, charts.py: the figures of a unit, counted live or from the snapshot;
- exports.py: the rows of the people and unit exports;
- staff_sheet.py, staff_import.py, activation.py: reading a staff list, importing it, and the
  codes that let imported civil servants set a first password;
- reports/ and staff/: the pages (blueprints) over these.
Completion itself is decided by lms/services/record.py, never here.
"""
