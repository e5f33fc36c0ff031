# frozen_string_literal: true

# An interview platform's notifications through WeCom:
#   1. get the app's access token (cached, shared by threads and processes),
#   2. send the interviewer a textcard linking to the interview room,
#   3. send the hiring team's department a markdown summary,
#   4. handle an error the way an app should (an unknown recipient).
#
# Run: bin/demo    (simulator)    or with WECHAT_WORK_CORP_ID / _SECRET / _AGENT_ID set (real WeCom;
# also set DEMO_INTERVIEWER=<a userid> and DEMO_PARTY=<a department id> there).
require "wechat_work"
require "logger"

def run_demo(client, interviewer:, party:, stranger:)
  log = ->(text) { puts "  #{text}" }

  puts "1. Access token"
  token = client.access_token
  log.call("fetched #{token[0, 6]}… (#{token.size} chars); a second call is served from the cache: #{client.access_token == token}")

  puts "2. Textcard to the interviewer"
  card = client.send_textcard(
    to: interviewer,
    title: "Interview: Backend Engineer, today 15:00",
    description: "<div class=\"gray\">Candidate: Han Meimei</div><div class=\"highlight\">Room opens 5 minutes early</div>",
    url: "https://interviews.example.com/rooms/42",
    btntxt: "Join"
  )
  log.call("delivered, msgid=#{card.msgid}")

  puts "3. Markdown summary to department #{party}"
  summary = client.send_markdown(
    to: { parties: [party] },
    content: "**Interview scheduled**\n> Role: <font color=\"info\">Backend Engineer</font>\n> Time: 15:00\n> Interviewer: #{interviewer}"
  )
  log.call("delivered, msgid=#{summary.msgid}")

  puts "4. An error, handled"
  begin
    client.send_text(to: stranger, content: "This person is not in the directory")
    log.call("(no error: #{stranger} exists here)")
  rescue WechatWork::NoValidRecipientError => e
    log.call("#{e.class}: #{e.message}")
    log.call("invalid users: #{e.invalid_users.inspect} — the app would mark this interviewer as unreachable")
  rescue WechatWork::ApiError => e
    log.call("#{e.class} (errcode #{e.errcode}): #{e.message}")
  end

  puts "5. Bad input is refused before any request"
  begin
    client.send_text(to: [], content: "nobody")
  rescue ArgumentError => e
    log.call("ArgumentError: #{e.message}")
  end
end

logger = ENV["DEMO_LOG"] ? Logger.new($stdout, level: :debug) : nil

if ENV["WECHAT_WORK_CORP_ID"] && ENV["WECHAT_WORK_SECRET"]
  puts "Against WeCom at #{ENV.fetch("WECHAT_WORK_BASE_URL", "https://qyapi.weixin.qq.com")}"
  client = WechatWork::Client.new(logger: logger)
  run_demo(client, interviewer: ENV.fetch("DEMO_INTERVIEWER"), party: Integer(ENV.fetch("DEMO_PARTY", "1")),
                   stranger: "no-such-user-#{rand(1_000_000)}")
else
  WechatWork::Simulator.run(users: %w[lilei hanmeimei], departments: [1, 2]) do |sim|
    puts "Against the embedded WeCom simulator at #{sim.base_url} (corp #{sim.corp_id}, agent #{sim.agent_id})"
    client = WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id,
                                    base_url: sim.base_url, logger: logger)
    run_demo(client, interviewer: "lilei", party: 2, stranger: "ghost")
    puts "\nWhat WeCom received (#{sim.messages.size} messages):"
    sim.messages.each do |m|
      puts "  #{m["msgtype"]} to #{m.values_at("touser", "toparty").compact.join(" / ")}: " \
           "#{(m.dig("textcard", "title") || m.dig("markdown", "content") || m.dig("text", "content")).lines.first.strip}"
    end
  end
end
