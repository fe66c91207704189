-- Placeholder for another helper's migration 0018 of issue #17 (branch m17-stock uses 0020): it keeps the numbers without
-- gaps on this branch. Delete this file when merging, where the real 0018 exists.
SELECT 1;
