# frozen_string_literal: true

# The edge (role timestamp_lb): nginx runs the cookbook's site with an upstream per app
# instance, and the errors it makes itself are JSON.
require 'json'
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

upstreams = ts_setting('TS_NGINX_UPSTREAMS', '/etc/nginx/timestamp-upstreams.conf')
gate_state = ts_setting('TS_GATE_STATE', '/run/timestamp-lb-gate/state.json')

describe file(site) do
  its('content') { should match(/^include #{Regexp.escape(upstreams)};$/) }
  its('content') { should match(/proxy_set_header X-Request-Id \$request_id;/) }
end

# The readiness gate writes the upstream block: every instance, each in rotation (no `down`)
# once ready.
describe file(upstreams) do
  its('content') { should match(/^upstream timestamp_app \{$/) }
  instances.each do |name|
    its('content') { should match(/^\s*server \S+ max_fails=\d+ fail_timeout=\S+; # #{name}, zone \w+$/) }
  end
end

describe command(ts_running(ts_setting('TS_GATE_PATTERN', 'timestamp_program.rb /etc/nginx/timestamp-lb-gate.json'))) do
  its('exit_status') { should eq 0 }
end

describe 'the readiness gate' do
  it 'has every ready instance in rotation' do
    expect(JSON.parse(file(gate_state).content)['in_rotation']).to eq instances
  end
end

# An error nginx makes itself answers JSON too.
describe command("head -c 40000 /dev/zero | curl -sS -m 20 -X POST --data-binary @- #{url}/app") do
  its('stdout') { should match(/"status":413/) }
end
