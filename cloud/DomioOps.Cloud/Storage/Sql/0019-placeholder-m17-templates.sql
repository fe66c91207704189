-- PLACEHOLDER on branch m17-templates only: 0019 belongs to another #17 helper's branch. The migrations must be
-- numbered without gaps, so this empty one lets 0021 (office templates) run here. DELETE this file at merge.
SELECT 1;
