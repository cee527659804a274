# frozen_string_literal: true

require 'fileutils'

module TimestampBackup
  # A metrics file in Prometheus' text format, as node_exporter's textfile collector reads
  # it: written whole to a temporary name and renamed, so a scrape never sees half of it.
  module MetricsFile
    # metrics: [[name, type, help, value, labels = {}]]
    def self.write(path, metrics)
      return unless path

      FileUtils.mkdir_p(File.dirname(path))
      text = metrics.group_by(&:first).map do |name, series|
        _, type, help, = series.first
        lines = series.map { |(_, _, _, value, labels)| "#{name}#{format_labels(labels)} #{format_value(value)}" }
        "# HELP #{name} #{help}\n# TYPE #{name} #{type}\n#{lines.join("\n")}\n"
      end.join
      File.write("#{path}.tmp", text)
      File.rename("#{path}.tmp", path)
    end

    def self.format_labels(labels)
      return '' if labels.nil? || labels.empty?

      "{#{labels.map { |k, v| "#{k}=\"#{v.to_s.gsub(/["\\\n]/) { |c| c == "\n" ? '\\n' : "\\#{c}" }}\"" }.join(',')}}"
    end

    def self.format_value(value)
      value.is_a?(Float) ? format('%.6f', value) : value.to_s
    end
  end
end
