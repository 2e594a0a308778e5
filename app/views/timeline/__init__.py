"""The timeline's record, its time axis, and its words: the data the timeline widget draws."""
