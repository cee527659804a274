# frozen_string_literal: true

name 'timestamp_common'
maintainer 'Timestamp Service Engineering'
maintainer_email 'engineering@timestamp.invalid'
license 'Apache-2.0'
description 'Shared pieces of the timestamp service cookbooks: the MySQL vendor repository and the secrets lookup'
version '0.1.0'
chef_version '>= 18.0'

supports 'debian', '>= 12.0'
supports 'ubuntu', '>= 24.04'
supports 'rocky', '>= 9.0'
