# frozen_string_literal: true

name 'timestamp_backup'
maintainer 'Timestamp Service Engineering'
maintainer_email 'engineering@timestamp.invalid'
license 'Apache-2.0'
description 'Backups of the timestamp service (clone of a secondary, compressed and encrypted, kept in two zones), ' \
            'a streaming binlog archive that follows the group, and point-in-time restore'
version '0.1.0'
chef_version '>= 18.0'

supports 'debian', '>= 12.0'
supports 'ubuntu', '>= 24.04'
supports 'rocky', '>= 9.0'

depends 'timestamp_common'
depends 'timestamp_db'
