# frozen_string_literal: true

# The edge (role timestamp_lb): nginx runs the cookbook's site with an upstream per app
# instance, and the errors it makes itself are JSON.
require_relative '../settings'

url = ts_setting('TS_LB_URL', 'http://127.0.0.1')
site = ts_setting('TS_NGINX_SITE', '/etc/nginx/conf.d/timestamp-site.conf')
instances = ts_setting('TS_APP_INSTANCES', 'app-a').split

describe command(ts_running(ts_setting('TS_NGINX_PATTERN', 'nginx: master process'))) do
  its('exit_status') { should eq 0 }
end

describe port(ts_setting('TS_LB_PORT', '80').to_i) do
  it { should be_listening }
end

describe file(site) do
  its('content') { should match(/^upstream timestamp_app \{$/) }
  its('content') { should match(/proxy_set_header X-Request-Id \$request_id;/) }
  instances.each do |name|
    its('content') { should match(/^\s*server \S+ .*# #{name}, zone \w+$/) }
  end
end

# An error nginx makes itself answers JSON too.
describe command("head -c 40000 /dev/zero | curl -sS -m 20 -X POST --data-binary @- #{url}/app") do
  its('stdout') { should match(/"status":413/) }
end
