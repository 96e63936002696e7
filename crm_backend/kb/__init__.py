"""The help centre: articles the bot answers from, searched hybrid (BM25 + MiniLM), no retraining."""
