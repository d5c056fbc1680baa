"""Reading and validation: tables from workbooks and CSV folders, checked into an Instance;
the policy presets."""
