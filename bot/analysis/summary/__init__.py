"""Two or three sentences of the story a reader of an alert can trust."""
