// Sequelize cases, run by internal/ormtraffic (TestNodeORMs) through the
// pgrmw proxy. PGRMW_URL is a postgres:// URL of the proxy; every case
// connects with its own application_name so the Go test can tell the
// findings apart. Each case checks the balance it leaves behind; the script
// exits non-zero if any does not.
'use strict';
const { Sequelize, DataTypes, OptimisticLockError, Transaction } = require('sequelize');

const url = process.env.PGRMW_URL;
if (!url) {
  console.error('PGRMW_URL not set');
  process.exit(2);
}

function connect(app) {
  return new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    dialectOptions: { application_name: app },
    pool: { max: 2 },
  });
}

function define(sq) {
  const Account = sq.define('Account', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    owner: DataTypes.STRING,
    balance: DataTypes.INTEGER,
  });
  // version: true is Sequelize's optimistic locking.
  const Wallet = sq.define('Wallet', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    owner: DataTypes.STRING,
    balance: DataTypes.INTEGER,
  }, { version: true });
  return { Account, Wallet };
}

// Each case: app names it connects as, the row it works on, what the balance
// must be afterwards (rows start at 100).
const cases = [
  {
    name: 'seq_naive_save', id: 1, balance: 250,
    async run() {
      await using(connect('seq_naive_save'), async ({ Account }) => {
        const a = await Account.findByPk(1);
        a.balance += 150;
        await a.save();
      });
    },
  },
  {
    name: 'seq_static_update', id: 2, balance: 250,
    async run() {
      await using(connect('seq_static_update'), async ({ Account }) => {
        const a = await Account.findByPk(2);
        await Account.update({ balance: a.balance + 150 }, { where: { id: 2 } });
      });
    },
  },
  {
    name: 'seq_increment', id: 3, balance: 250,
    async run() {
      await using(connect('seq_increment'), async ({ Account }) => {
        const a = await Account.findByPk(3);
        await a.increment('balance', { by: 150 });
      });
    },
  },
  {
    name: 'seq_lock_tx', id: 4, balance: 250,
    async run() {
      await using(connect('seq_lock_tx'), async ({ Account }, sq) => {
        await sq.transaction(async (t) => {
          const a = await Account.findByPk(4, { transaction: t, lock: t.LOCK.UPDATE });
          a.balance += 150;
          await a.save({ transaction: t });
        });
      });
    },
  },
  {
    name: 'seq_version', id: 5, balance: 250, wallet: true,
    async run() {
      await using(connect('seq_version'), async ({ Wallet }) => {
        const w = await Wallet.findByPk(5);
        w.balance += 150;
        await w.save();
      });
    },
  },
  {
    // Both read version 0; b's save fails with OptimisticLockError, b
    // re-reads and applies its credit again: nothing is lost.
    name: 'seq_version_conflict_retried', id: 6, balance: 650, wallet: true,
    async run() {
      const sa = connect('seq_version_retry_a');
      const sb = connect('seq_version_retry_b');
      try {
        const A = define(sa).Wallet;
        const B = define(sb).Wallet;
        const wa = await A.findByPk(6);
        let wb = await B.findByPk(6);
        wa.balance += 150;
        await wa.save();
        for (let attempt = 0; ; attempt++) {
          wb.balance += 400;
          try {
            await wb.save();
            break;
          } catch (e) {
            if (!(e instanceof OptimisticLockError) || attempt > 2) throw e;
            wb = await B.findByPk(6);
          }
        }
      } finally {
        await sa.close();
        await sb.close();
      }
    },
  },
  {
    // FOR KEY SHARE does not stop another UPDATE of the balance.
    name: 'seq_key_share', id: 8, balance: 250,
    async run() {
      await using(connect('seq_key_share'), async ({ Account }, sq) => {
        await sq.transaction(async (t) => {
          const a = await Account.findByPk(8, { transaction: t, lock: t.LOCK.KEY_SHARE });
          a.balance += 150;
          await a.save({ transaction: t });
        });
      });
    },
  },
  {
    name: 'seq_no_key_update', id: 9, balance: 250,
    async run() {
      await using(connect('seq_no_key_update'), async ({ Account }, sq) => {
        await sq.transaction(async (t) => {
          const a = await Account.findByPk(9, { transaction: t, lock: t.LOCK.NO_KEY_UPDATE });
          a.balance += 150;
          await a.save({ transaction: t });
        });
      });
    },
  },
  {
    name: 'seq_repeatable_read', id: 10, balance: 250,
    async run() {
      await using(connect('seq_repeatable_read'), async ({ Account }, sq) => {
        await sq.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, async (t) => {
          const a = await Account.findByPk(10, { transaction: t });
          a.balance += 150;
          await a.save({ transaction: t });
        });
      });
    },
  },
  {
    // silent: true leaves updatedAt alone: only the balance is written.
    name: 'seq_save_silent', id: 11, balance: 250,
    async run() {
      await using(connect('seq_save_silent'), async ({ Account }) => {
        const a = await Account.findByPk(11);
        a.balance += 150;
        await a.save({ silent: true });
      });
    },
  },
  {
    // A real lost update: both handlers read 100, a writes 250, b writes 500.
    name: 'seq_race', id: 7, balance: 500,
    async run() {
      const sa = connect('seq_race_a');
      const sb = connect('seq_race_b');
      try {
        const A = define(sa).Account;
        const B = define(sb).Account;
        const [a, b] = await Promise.all([A.findByPk(7), B.findByPk(7)]);
        a.balance += 150;
        await a.save();
        b.balance += 400;
        await b.save();
      } finally {
        await sa.close();
        await sb.close();
      }
    },
  },
];

async function using(sq, fn) {
  try {
    await fn(define(sq), sq);
  } finally {
    await sq.close();
  }
}

async function main() {
  const mig = connect('seq_migrate');
  const { Account, Wallet } = define(mig);
  await mig.sync({ force: true });
  for (const c of cases) {
    const M = c.wallet ? Wallet : Account;
    await M.create({ id: c.id, owner: 'owner' + c.id, balance: 100 });
  }
  let failed = 0;
  for (const c of cases) {
    try {
      await c.run();
    } catch (e) {
      console.error(`${c.name}: ${e.stack || e}`);
      failed++;
      continue;
    }
    const M = c.wallet ? Wallet : Account;
    const row = await M.findByPk(c.id);
    if (row.balance !== c.balance) {
      console.error(`${c.name}: balance ${row.balance}, want ${c.balance}`);
      failed++;
    } else {
      console.log(`${c.name}: ok (balance ${row.balance})`);
    }
  }
  await mig.close();
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e.stack || e);
  process.exit(1);
});
