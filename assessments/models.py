# Findings, red flags and care plans arrive with the assessment issue.
