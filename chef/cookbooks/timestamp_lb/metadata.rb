# frozen_string_literal: true

name 'timestamp_lb'
maintainer 'Timestamp Service Engineering'
maintainer_email 'engineering@timestamp.invalid'
license 'Apache-2.0'
description 'The edge: nginx load-balancing the Payara Micro instances with health-aware failover'
version '0.1.0'
chef_version '>= 18.0'

supports 'debian', '>= 12.0'
supports 'ubuntu', '>= 24.04'
supports 'rocky', '>= 9.0'

depends 'timestamp_common'
