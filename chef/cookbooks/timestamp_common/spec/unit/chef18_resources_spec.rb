# frozen_string_literal: true

require 'ripper'

# No Chef Infra Client runs here, so nothing else would notice a recipe or custom resource
# that declares a resource Chef 18 does not have (dnf_module did: the rhel branch of
# timestamp_mysql_repository failed on every Rocky node). Every declaration in the
# cookbooks' recipes and resources (a receiverless call with a block) must name a resource
# of Chef Infra Client 18 (lib/chef/resources.rb) or one these cookbooks provide.
describe 'resources the cookbooks declare' do
  cookbooks = File.expand_path('../../..', __dir__)
  files = Dir[File.join(cookbooks, '*', '{recipes,resources}', '*.rb')]

  chef18 = %w(
    alternatives apt_package apt_preference apt_repository apt_update archive_file bash batch
    bff_package breakpoint build_essential cab_package chef_client_config chef_client_cron
    chef_client_hab_ca_cert chef_client_launchd chef_client_scheduled_task chef_client_systemd_timer
    chef_client_trusted_certificate chef_gem chef_handler chef_sleep chef_vault_secret chocolatey_config
    chocolatey_feature chocolatey_installer chocolatey_package chocolatey_source cookbook_file cron
    cron_access cron_d csh directory dmg_package dnf_package dpkg_package dsc_resource dsc_script
    execute file freebsd_package gem_package git group habitat_config habitat_install habitat_package
    habitat_service habitat_sup habitat_sup_systemd habitat_sup_windows habitat_user_toml homebrew_cask
    homebrew_package homebrew_tap homebrew_update hostname http_request ifconfig inspec_input
    inspec_waiver inspec_waiver_file_entry ips_package kernel_module ksh launchd link locale log
    macos_pkg macos_userdefaults macports_package mdadm mount msu_package notify_group ohai ohai_hint
    openbsd_package openssl_dhparam openssl_ec_private_key openssl_ec_public_key openssl_rsa_private_key
    openssl_rsa_public_key openssl_x509_certificate openssl_x509_crl openssl_x509_request package
    pacman_package paludis_package perl plist portage_package powershell_package
    powershell_package_source powershell_script python reboot registry_key remote_directory remote_file
    rhsm_errata rhsm_errata_level rhsm_register rhsm_repo rhsm_subscription route rpm_package ruby
    ruby_block script selinux_boolean selinux_fcontext selinux_install selinux_login selinux_module
    selinux_permissive selinux_port selinux_state selinux_user service smartos_package snap_package
    solaris_package ssh_known_hosts_entry subversion sudo swap_file sysctl systemd_unit template timezone
    user user_ulimit whyrun_safe_ruby_block windows_ad_join windows_audit_policy windows_auto_run
    windows_certificate windows_defender windows_defender_exclusion windows_dfs_folder
    windows_dfs_namespace windows_dfs_server windows_dns_record windows_dns_zone windows_env
    windows_feature windows_feature_dism windows_feature_powershell windows_firewall_profile
    windows_firewall_rule windows_font windows_package windows_pagefile windows_path windows_printer
    windows_printer_port windows_security_policy windows_service windows_share windows_shortcut
    windows_task windows_uac windows_update_settings windows_user_privilege windows_workgroup
    yum_package yum_repository zypper_package zypper_repository
  )
  # Block-taking methods of Chef's DSL and Ruby that are not resources.
  dsl = %w(action action_class converge_by converge_if_changed load_current_value only_if not_if lazy
           loop lambda proc)
  # Names people reach for that Chef 18 lacks, caught with or without a block.
  not_in_chef18 = %w(dnf_module yum_module dnf_repository apt_key systemd_service)

  # Receiverless calls in a syntax tree: { [line, column] => [name, takes a block?] }.
  calls = lambda do |sexp, found = {}|
    return found unless sexp.is_a?(Array)

    case sexp[0]
    when :command, :fcall, :vcall
      ident = sexp[1]
      found[ident[2]] ||= [ident[1], false] if ident.is_a?(Array) && ident[0] == :@ident
    when :method_add_block
      call = sexp[1][0] == :method_add_arg ? sexp[1][1] : sexp[1]
      found[call[1][2]] = [call[1][1], true] if %i(command fcall).include?(call[0]) && call[1][0] == :@ident
    end
    sexp.each { |child| calls.call(child, found) }
    found
  end

  provided = files.grep(%r{/resources/}).flat_map do |file|
    cookbook = File.basename(File.dirname(file, 2))
    File.read(file).scan(/^provides :(\w+)/).flatten << "#{cookbook}_#{File.basename(file, '.rb')}"
  end
  allowed = chef18 + provided + dsl

  # "file:line: name" for every declaration of source that names no known resource.
  offenders = lambda do |source, file = '(source)'|
    tree = Ripper.sexp(source) or raise "#{file} does not parse"
    calls.call(tree).filter_map do |(line, _), (name, block)|
      "#{file}:#{line}: #{name}" if (block && !allowed.include?(name)) || not_in_chef18.include?(name)
    end
  end

  it 'finds the declarations (the check is not empty)' do
    declared = files.flat_map { |f| calls.call(Ripper.sexp(File.read(f))).values.select(&:last).map(&:first) }
    expect(declared).to include('template', 'execute', 'yum_repository', 'timestamp_router_keyring')
  end

  it 'names only resources of Chef 18 or of these cookbooks' do
    expect(files.flat_map { |f| offenders.call(File.read(f), f.delete_prefix("#{cookbooks}/")) }).to eq([])
  end

  it 'catches dnf_module, with or without a block, and an unknown resource' do
    expect(offenders.call("dnf_module 'mysql' do\n  action :disable\nend\n")).to eq(['(source):1: dnf_module'])
    expect(offenders.call("dnf_module('mysql') { action :disable }\n")).to eq(['(source):1: dnf_module'])
    expect(offenders.call("dnf_module 'mysql'\n")).to eq(['(source):1: dnf_module'])
    expect(offenders.call("if rhel\n  nginx_site 'default' do\n    enable false\n  end\nend\n"))
      .to eq(['(source):2: nginx_site'])
    expect(offenders.call("execute 'dnf -y module disable mysql' do\n  only_if 'true'\nend\n")).to eq([])
  end
end
