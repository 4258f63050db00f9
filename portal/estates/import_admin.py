"""Admin views of the spreadsheet import of buildings, units, houses and owners."""
