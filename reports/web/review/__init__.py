"""The bureau's review: the queue, the review page, comments, scores, return and approve."""
