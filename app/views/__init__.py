"""What the window shows, without Qt: each row's story, the timeline's record and words,
a failure in plain words, file names.
"""
