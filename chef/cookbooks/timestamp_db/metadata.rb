# frozen_string_literal: true

name 'timestamp_db'
maintainer 'Timestamp Service Engineering'
maintainer_email 'engineering@timestamp.invalid'
license 'Apache-2.0'
description 'MySQL Group Replication member (single primary, one per zone) with the InnoDB Cluster metadata MySQL Router reads'
version '0.1.0'
chef_version '>= 18.0'

supports 'debian', '>= 12.0'
supports 'ubuntu', '>= 24.04'
supports 'rocky', '>= 9.0'

depends 'timestamp_common'
