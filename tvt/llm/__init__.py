"""The LLM backend: OpenAI-compatible chat requests for generating and rating conversations.

* :mod:`tvt.llm.client` -- the endpoint, retries with backoff, token usage;
* :mod:`tvt.llm.cache` -- the on-disk response cache (same request, same answer, no new call);
* :mod:`tvt.llm.prompts` -- the versioned generation and rating prompts;
* :mod:`tvt.llm.transcript` -- reading a model's transcript into validated turns;
* :mod:`tvt.llm.generation` and :mod:`tvt.llm.batch` -- whole runs, live or through a batch API;
* :mod:`tvt.llm.journal` and :mod:`tvt.llm.runner` -- resuming and the concurrent request pool;
* :mod:`tvt.llm.per_item` -- one request per item read by a parser (the raters and the judge).

Submodules are imported where they are used: importing :mod:`tvt.llm` loads no HTTP client.
"""
