# frozen_string_literal: true

require "yaml"

module WechatWork
  class Simulator
    # A directory file the simulator cannot serve. `path` is the file; `key` is where in it
    # ("users[1].department"), nil when it is the file as a whole.
    class DirectoryError < ConfigurationError
      attr_reader :path, :key

      def initialize(reason, path:, key: nil)
        @path = path
        @key = key
        super(key ? "#{path}: #{key}: #{reason}" : "#{path}: #{reason}")
      end
    end

    # The corp's directory for a strict simulator, from a YAML file (the shapes
    # Simulator.start takes for users:, departments:, tags:):
    #
    #   departments:
    #     - { id: 1, name: "Acme Corp" }
    #     - { id: 2, name: "Engineering", parentid: 1 }
    #   users:
    #     - { userid: lilei, name: "Li Lei", department: [2], position: "Backend interviewer" }
    #   tags:
    #     - { tagid: 1, tagname: "interviewers", users: [lilei], parties: [2] }
    #
    # The file is the whole directory, as WeCom's is: a userid, department or tag it does not
    # list does not exist. Without departments: the corp has its root department (1) only;
    # without users: or tags:, none. A user takes any user/get field besides userid, name,
    # department; department, tag and member references must point at listed entries.
    class DirectoryFile
      SECTIONS = %w[departments users tags].freeze

      attr_reader :path, :departments, :users, :tags

      # Reads and checks the file's shape; the simulator checks the entries when it starts
      # (#refusal turns what it refuses into a DirectoryError naming the file and the key).
      # Raises DirectoryError.
      def self.load(path)
        new(path.to_s, parse(path.to_s))
      end

      def self.parse(path)
        data = YAML.safe_load(File.read(path), aliases: true, filename: path)
        raise DirectoryError.new("is empty; a directory file has #{SECTIONS.join(", ")}", path: path) if data.nil?
        raise DirectoryError.new("must be a mapping of #{SECTIONS.join(", ")}, got #{shape_of(data)}", path: path) unless data.is_a?(Hash)

        data
      rescue SystemCallError => e
        raise DirectoryError.new("cannot be read (#{e.message.sub(/ @ \w+ - .*\z/, "")})", path: path)
      rescue Psych::SyntaxError => e
        raise DirectoryError.new("is not YAML: #{e.problem} at line #{e.line} column #{e.column}", path: path)
      rescue Psych::Exception => e
        raise DirectoryError.new("is not plain YAML data: #{e.message}", path: path)
      end
      private_class_method :parse

      # "a list", "String": what a value of the file is, in a message.
      def self.shape_of(value) = value.is_a?(Array) ? "a list" : value.class.name

      def initialize(path, data)
        @path = path
        unknown = data.keys - SECTIONS
        unless unknown.empty?
          raise DirectoryError.new("unknown key; a directory file has #{SECTIONS.join(", ")}", path: path, key: unknown.first.to_s)
        end

        @departments = section(data, "departments") || [1]
        @users = (section(data, "users") || []).map { |user| userid_as_string(user) }
        @tags = (section(data, "tags") || []).map { |tag| tag_users_as_strings(tag) }
      end

      # What Simulator.start takes.
      def to_options = { departments: departments, users: users, tags: tags }

      # "2 members, 2 departments, 1 tag"
      def summary
        [[users, "member"], [departments, "department"], [tags, "tag"]]
          .map { |list, noun| "#{list.size} #{noun}#{"s" unless list.size == 1}" }.join(", ")
      end

      # The simulator refused an entry ("users[1].department: 9 is not among the departments"):
      # the same, naming the file. nil for an error that is not about the directory.
      def refusal(error)
        key, reason = error.message.match(/\A((?:#{SECTIONS.join("|")})\[\d+\](?:\.[^:]+)?): (.*)\z/m)&.captures
        key && DirectoryError.new(reason, path: path, key: key)
      end

      private

      def section(data, name)
        list = data[name]
        return nil if list.nil?
        return list if list.is_a?(Array)

        raise DirectoryError.new("must be a list (\"- ...\" lines), got #{DirectoryFile.shape_of(list)}", path: path, key: name)
      end

      # YAML reads `userid: 10086` as a number; a userid of digits is a userid all the same.
      def userid_as_string(user)
        case user
        when Integer then user.to_s
        when Hash then user["userid"].is_a?(Integer) ? user.merge("userid" => user["userid"].to_s) : user
        else user
        end
      end

      def tag_users_as_strings(tag)
        return tag unless tag.is_a?(Hash) && tag["users"].is_a?(Array)

        tag.merge("users" => tag["users"].map { _1.is_a?(Integer) ? _1.to_s : _1 })
      end
    end
  end
end
