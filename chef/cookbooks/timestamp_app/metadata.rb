# frozen_string_literal: true

name 'timestamp_app'
maintainer 'Timestamp Service Engineering'
maintainer_email 'engineering@timestamp.invalid'
license 'Apache-2.0'
description 'Runs the timestamp service on Payara Micro as a systemd service, one Data Grid member per app host'
version '0.1.0'
chef_version '>= 18.0'

supports 'debian', '>= 12.0'
supports 'ubuntu', '>= 24.04'
supports 'rocky', '>= 9.0'

depends 'timestamp_common'
