-- What each register holds (issue 15: an application's data period must lie within it):
-- the period its data controller declares on the dataset (`coverage`: {from, to|null}, null `to`
-- while the register is still collected), and the period a stored version's period variable
-- spans, measured by intake (null for a dataset without a period variable).
ALTER TABLE catalog_datasets ADD COLUMN coverage jsonb;
ALTER TABLE catalog_dataset_versions ADD COLUMN period_from date, ADD COLUMN period_to date;
