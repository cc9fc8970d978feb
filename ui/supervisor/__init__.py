"""The supervisor desk: reassignment, workload, deadlines, availability, team auto-assignment."""
