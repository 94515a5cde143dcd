"""The klantmanager's side: staff, caseloads, invitations, questions handed off and answered."""
