# TradeWatch: `docker build -t tradewatch .` then
#   docker run --rm -v tradewatch-data:/app/data -v /srv/news:/app/news tradewatch \
#       run --config /app/config/example.toml
# With no arguments it runs the embedded default (SQLite in /app/data, examples/news watched,
# alerts on the console). Secrets come from the environment (-e TRADEWATCH_DATABASE_URL=...).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN useradd --create-home --uid 10001 tradewatch
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --upgrade "pip==26.3" && pip install .
COPY config ./config
COPY examples ./examples
RUN mkdir -p /app/data && chown tradewatch /app/data

USER tradewatch
VOLUME ["/app/data"]
ENTRYPOINT ["tradewatch"]
CMD ["run"]
