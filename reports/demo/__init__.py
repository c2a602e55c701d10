"""Demo data: the seed report as published, and departments in every state around it."""
