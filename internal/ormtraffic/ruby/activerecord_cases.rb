# ActiveRecord cases, run by internal/ormtraffic (TestExternalORMs) through
# the pgrmw proxy. PGRMW_URL is a postgres:// URL of the proxy. Every case
# connects with its own application_name (one abstract base class, hence one
# pool, per name) so the Go test can tell the findings apart. Each case checks
# the balance it leaves; the script exits non-zero if any is wrong.
#
# ActiveRecord's PostgreSQL adapter uses prepared statements (extended
# protocol, named statements a1, a2, ...) by default.
require "active_record"
require "pg"

URL = ENV.fetch("PGRMW_URL") { abort "PGRMW_URL not set" }

def url_for(app)
  sep = URL.include?("?") ? "&" : "?"
  "#{URL}#{sep}application_name=#{app}"
end

# models_for returns [Account, Wallet] classes whose connections carry app.
def models_for(app)
  base = Class.new(ActiveRecord::Base) { self.abstract_class = true }
  Object.const_set("Base_#{app}", base)
  base.establish_connection(url_for(app))
  account = Class.new(base) { self.table_name = "accounts" }
  Object.const_set("Account_#{app}", account)
  # lock_version makes ActiveRecord lock optimistically.
  wallet = Class.new(base) { self.table_name = "wallets" }
  Object.const_set("Wallet_#{app}", wallet)
  [account, wallet]
end

CASES = [
  ["ar_naive_save", 1, 250, lambda {
    account, = models_for("ar_naive_save")
    a = account.find(1)
    a.balance += 150
    a.save!
  }],
  ["ar_update_column", 2, 250, lambda {
    account, = models_for("ar_update_column")
    a = account.find(2)
    a.update_column(:balance, a.balance + 150)
  }],
  ["ar_increment_bang", 3, 250, lambda {
    account, = models_for("ar_increment_bang")
    account.find(3).increment!(:balance, 150)
  }],
  ["ar_update_counters", 4, 250, lambda {
    account, = models_for("ar_update_counters")
    account.find(4)
    account.update_counters(4, balance: 150)
  }],
  ["ar_with_lock", 5, 250, lambda {
    account, = models_for("ar_with_lock")
    a = account.find(5)
    a.with_lock do
      a.balance += 150
      a.save!
    end
  }],
  ["ar_lock_version", 6, 250, lambda {
    _, wallet = models_for("ar_lock_version")
    w = wallet.find(6)
    w.balance += 150
    w.save!
  }, :wallet],
  # Both read lock_version 0; b's save! raises StaleObjectError, b reloads
  # and applies its credit again: nothing is lost.
  ["ar_lock_version_retried", 7, 650, lambda {
    _, wa = models_for("ar_lock_retry_a")
    _, wb = models_for("ar_lock_retry_b")
    a = wa.find(7)
    b = wb.find(7)
    a.balance += 150
    a.save!
    attempts = 0
    begin
      b.balance += 400
      b.save!
    rescue ActiveRecord::StaleObjectError
      attempts += 1
      raise if attempts > 2
      b.reload
      retry
    end
  }, :wallet],
  # touch writes only updated_at = now: nothing read is written back.
  ["ar_touch", 9, 100, lambda {
    account, = models_for("ar_touch")
    account.find(9).touch
  }],
  ["ar_repeatable_read", 10, 250, lambda {
    account, = models_for("ar_repeatable_read")
    account.transaction(isolation: :repeatable_read) do
      a = account.find(10)
      a.balance += 150
      a.save!
    end
  }],
  ["ar_lock_no_key_update", 11, 250, lambda {
    account, = models_for("ar_lock_no_key_update")
    account.transaction do
      a = account.lock("FOR NO KEY UPDATE").find(11)
      a.balance += 150
      a.save!
    end
  }],
  ["ar_lock_bang", 12, 250, lambda {
    account, = models_for("ar_lock_bang")
    account.transaction do
      a = account.find(12)
      a.lock! # reloads the row with FOR UPDATE
      a.balance += 150
      a.save!
    end
  }],
  ["ar_update_all_sql", 13, 250, lambda {
    account, = models_for("ar_update_all_sql")
    account.find(13)
    account.where(id: 13).update_all("balance = balance + 150")
  }],
  # A real lost update: both read 100, a writes 250, b writes 500.
  ["ar_race", 8, 500, lambda {
    aa, = models_for("ar_race_a")
    ab, = models_for("ar_race_b")
    a = aa.find(8)
    b = ab.find(8)
    a.balance += 150
    a.save!
    b.balance += 400
    b.save!
  }],
].freeze

def main
  migrate, migrate_wallet = models_for("ar_migrate")
  migrate.connection.create_table(:accounts, id: :bigint) do |t|
    t.string :owner
    t.integer :balance
    t.timestamps
  end
  migrate.connection.create_table(:wallets, id: :bigint) do |t|
    t.string :owner
    t.integer :balance
    t.integer :lock_version, null: false, default: 0
    t.timestamps
  end
  CASES.each do |name, id, _, _, kind|
    (kind == :wallet ? migrate_wallet : migrate).create!(id: id, owner: "owner#{id}", balance: 100)
  end
  failed = 0
  CASES.each do |name, id, want, fn, kind|
    begin
      fn.call
    rescue StandardError => e
      warn "#{name}: #{e.class}: #{e.message}\n#{e.backtrace.first(5).join("\n")}"
      failed += 1
      next
    end
    got = (kind == :wallet ? migrate_wallet : migrate).find(id).balance
    if got == want
      puts "#{name}: ok (balance #{got})"
    else
      warn "#{name}: balance #{got}, want #{want}"
      failed += 1
    end
  end
  ActiveRecord::Base.connection_handler.clear_all_connections!
  exit(failed.zero? ? 0 : 1)
end

main
