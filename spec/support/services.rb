# frozen_string_literal: true

# PostgreSQL and Redis for the Rails integration specs. bin/test starts both and exports
# WECHAT_WORK_TEST_DATABASE_URL and WECHAT_WORK_TEST_REDIS_URL; run alone, the specs use the
# local defaults (a PostgreSQL role for this user, Redis on 6379).
module Services
  module_function

  def database_url = ENV.fetch("WECHAT_WORK_TEST_DATABASE_URL", "postgres:///wechat_work_test")
  def redis_url = ENV.fetch("WECHAT_WORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

  # Connects ActiveRecord to the test database (created if missing) with the outbox table the
  # generator's migration makes.
  def active_record!
    return if @active_record

    require "active_record"
    require "active_job"
    require "erb"
    ActiveRecord::Base.logger = nil
    ensure_database
    ActiveRecord::Base.establish_connection(database_url)
    ActiveRecord::Migration.verbose = false
    template = File.read(File.expand_path("../../lib/generators/wechat_work/install/templates/create_wechat_work_deliveries.rb", __dir__))
    eval(ERB.new(template).result(binding), TOPLEVEL_BINDING) # rubocop:disable Security/Eval -- the generator's own template
    ActiveRecord::Base.connection.drop_table(:wechat_work_deliveries, if_exists: true)
    CreateWechatWorkDeliveries.new.migrate(:up)
    @active_record = true
  end

  def ensure_database
    require "pg"
    uri = URI(database_url)
    name = uri.path.delete_prefix("/")
    admin = PG.connect(dbname: "postgres", host: uri.host.to_s.empty? ? nil : uri.host, port: uri.port,
                       user: uri.user, password: uri.password)
    exists = admin.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", [name]).ntuples.positive?
    admin.exec("CREATE DATABASE #{admin.quote_ident(name)}") unless exists
  ensure
    admin&.close
  end

  def redis
    require "redis"
    @redis ||= Redis.new(url: redis_url)
  end
end
