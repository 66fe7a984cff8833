"""Stories: grouping articles into the events they report (issue 3). No code yet."""
