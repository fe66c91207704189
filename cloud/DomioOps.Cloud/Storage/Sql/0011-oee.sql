-- Placeholder on the planner's branch (p15-plan) so that 0012 follows without a gap: the OEE branch owns this file
-- (issue #15); when the branches merge, its 0011-oee.sql replaces this one.
SELECT 1;
