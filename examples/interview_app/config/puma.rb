# frozen_string_literal: true

# Puma in cluster mode (WEB_CONCURRENCY workers, forked): every worker shares the access
# token through the Redis cache; the gem rebuilds its runtime in each forked worker.
threads_count = ENV.fetch("RAILS_MAX_THREADS", 5).to_i
threads threads_count, threads_count
port ENV.fetch("PORT", 3000)
environment ENV.fetch("RAILS_ENV", "development")
pidfile ENV.fetch("PIDFILE", "tmp/pids/server.pid")
workers ENV.fetch("WEB_CONCURRENCY", 0).to_i
preload_app!
