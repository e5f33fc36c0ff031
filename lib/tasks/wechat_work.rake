# frozen_string_literal: true

namespace :wechat_work do
  namespace :deliveries do
    desc "Re-enqueue WeCom deliveries stuck in pending or sending (OLDER_THAN=seconds, default WechatWork::Outbox.stale_after, 120)"
    task sweep: :environment do
      older = Integer(ENV.fetch("OLDER_THAN", WechatWork::Outbox.stale_after.to_s), 10)
      count = WechatWork::Outbox.sweep(older_than: older)
      puts "wechat_work: re-enqueued #{count} deliveries older than #{older} s"
    end
  end

  namespace :tokens do
    desc "Refresh every configured app's access token ahead of expiry (TICKETS=1: JS-SDK tickets too; AHEAD=seconds)"
    task refresh: :environment do
      kinds = [:access_token]
      kinds += %i[jsapi_ticket agent_ticket] if ENV["TICKETS"] == "1"
      ahead = Integer(ENV.fetch("AHEAD", WechatWork::Credentials::DEFAULT_AHEAD.to_s), 10)
      WechatWork::Credentials.refresh_all(kinds, ahead: ahead).each do |app, result|
        next puts("wechat_work: #{app}: failed: #{result[:error].message}") if result[:error]

        result.each { |kind, r| puts "wechat_work: #{app} #{kind}: #{r[:fetched] ? "fetched" : "fresh"}, #{r[:expires_in]} s left" }
      end
    end
  end

  namespace :contacts do
    desc "Map WeCom members to the app's users (MODEL=User, APP=contacts, DEPARTMENT=1)"
    task sync: :environment do
      model = ENV.fetch("MODEL", "User").constantize
      app = ENV.fetch("APP", "default").to_sym
      count = model.sync_from_wechat_work(WechatWork.client(app), department_id: Integer(ENV.fetch("DEPARTMENT", "1"), 10))
      puts "wechat_work: #{count} #{model.name.pluralize.downcase} mapped to WeCom members"
    end
  end

  desc "Check this environment's WeCom settings; ONLINE=1 (or -- --online) also fetches each app's access token once"
  task check: :environment do
    online = ENV["ONLINE"] == "1" || ARGV.include?("--online")
    ok = WechatWork::Rails::SettingsReport.new(env: Rails.env, root: Rails.root, credentials: Rails.application.credentials)
                                          .print(online: online)
    exit(1) unless ok
  end

  desc "Run the local WeCom simulator this app is configured for (its base_url's port, corp, apps, callback URL)"
  task simulator: :environment do
    command = WechatWork::Rails::SimulatorCommand.new(WechatWork.configuration, routes: Rails.application.routes,
                                                                                root: Rails.root)
    puts command.summary
    exec(*command.argv)
  end
end
