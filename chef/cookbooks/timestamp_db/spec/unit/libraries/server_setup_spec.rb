# frozen_string_literal: true

require_relative '../../spec_helper'

describe TimestampDb::Datadir do
  it 'gives --initialize the server options without those only Group Replication’s plugin knows' do
    printed = "--port=3306\n--plugin_load_add=group_replication.so\n--group_replication_group_name=x\n" \
              "--group-replication-start-on-boot=OFF\n--plugin-load-add=mysql_clone.so\n--server_id=11\n"
    expect(described_class.initialize_options(printed)).to eq %w(--port=3306 --server_id=11)
  end
end
