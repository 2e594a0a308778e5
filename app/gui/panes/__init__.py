"""Under and beside the table: the poem, the story, the log."""
