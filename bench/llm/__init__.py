"""Talking to LLMs behind OpenAI-compatible endpoints: prompt, answers, response cache, endpoint, local server."""
