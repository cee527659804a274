# frozen_string_literal: true

# The service end to end through the edge: a POST is recorded and answered with its
# timestamp and request id, and every app instance serves.
require_relative '../settings'

url = ts_setting('TS_LB_URL', 'http://127.0.0.1')
instances = ts_setting('TS_APP_INSTANCES', 'app-a').split

describe command("curl -sS -m 20 -i -X POST #{url}/app") do
  its('stdout') { should match(%r{\AHTTP/1\.1 201 }) }
  its('stdout') { should match(/^X-Request-Id: \h{32}\r$/i) }
  its('stdout') { should match(/"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"/) }
end

# Every instance serves through nginx (round robin).
describe command("for i in $(seq 1 #{instances.size * 6}); do curl -sS -m 20 -X POST #{url}/app; echo; done " \
                 "| grep -o '\"instance\":\"[^\"]*\"' | sort -u") do
  instances.each do |name|
    its('stdout') { should match(/"instance":"#{name}"/) }
  end
end
