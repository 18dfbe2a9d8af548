"""What the app gives to people outside it: aggregate numbers for funders, the plan on paper
or as a PDF, and a calendar feed of a group's upcoming sessions for its facilitators."""
