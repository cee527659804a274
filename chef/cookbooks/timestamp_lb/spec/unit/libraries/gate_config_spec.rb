# frozen_string_literal: true

require_relative '../../../libraries/upstreams'
require_relative '../../../libraries/gate_config'

describe TimestampLb::GateConfig do
  attrs = {
    'upstreams' => [{ 'name' => 'app-b', 'zone' => 'b', 'address' => '10.0.0.2:8080' },
                    { 'name' => 'app-a', 'zone' => 'a', 'address' => '10.0.0.1:8080', 'drained' => true },
                    { 'name' => 'app-c', 'zone' => 'c', 'address' => '10.0.0.3:8080' }],
    'drained' => %w(app-c), 'max_fails' => 1, 'fail_timeout' => '5s', 'keepalive' => 32,
    'gate' => { 'ready_path' => '/health/ready', 'interval_s' => 1, 'timeout_s' => 1, 'rise' => 2, 'fall' => 2,
                'drains_file' => '/etc/nginx/timestamp-drains', 'upstream_file' => '/etc/nginx/timestamp-upstreams.conf',
                'state_file' => '/run/timestamp-lb-gate/state.json',
                'test_command' => "nginx -t -q -c '/etc/my nginx/nginx.conf'",
                'reload_command' => %w(systemctl reload nginx), 'service' => 'timestamp-lb-gate' }
  }

  it "is the launcher's config: the gate, the libraries in load order, its settings" do
    config = described_class.program(attrs, '/usr/local/lib/timestamp')
    expect(config.keys).to eq(%w(program lib_dirs settings))
    expect(config['program']).to eq('TimestampLb::Gate')
    expect(config['lib_dirs']).to eq(%w(/usr/local/lib/timestamp/timestamp_common /usr/local/lib/timestamp/timestamp_lb))
    settings = config['settings']
    expect(settings['upstreams'].map { |u| u['name'] }).to eq(%w(app-a app-b app-c))
    expect(settings['upstreams'].first).to eq('name' => 'app-a', 'zone' => 'a', 'address' => '10.0.0.1:8080')
    expect(settings['drained']).to eq(%w(app-a app-c))
    expect(settings['test_command']).to eq(['nginx', '-t', '-q', '-c', '/etc/my nginx/nginx.conf'])
    expect(settings['reload_command']).to eq(%w(systemctl reload nginx))
    expect(settings.slice('rise', 'fall', 'interval_s', 'timeout_s', 'keepalive', 'state_file'))
      .to eq('rise' => 2, 'fall' => 2, 'interval_s' => 1, 'timeout_s' => 1, 'keepalive' => 32,
             'state_file' => '/run/timestamp-lb-gate/state.json')
    expect(settings.keys).not_to include('service')
  end
end
