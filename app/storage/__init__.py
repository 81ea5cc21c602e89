"""Where things live on disk: paths, settings, the sqlite frame journal."""
