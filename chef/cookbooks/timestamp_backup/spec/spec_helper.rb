# frozen_string_literal: true

# Unit tests of the cookbook's library classes, without Chef: the libraries are plain Ruby.
%w(timestamp_common timestamp_db timestamp_backup).each do |cookbook|
  Dir[File.expand_path("../../#{cookbook}/libraries/*.rb", __dir__)].each { |file| require file }
end
