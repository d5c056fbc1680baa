"""What people and programs read: the workbooks, the terminal summary and the JSON result
documents."""
