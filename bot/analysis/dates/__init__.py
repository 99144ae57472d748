"""Calendar references in a story, resolved against the story's own date."""
