// TypeORM cases, run by internal/ormtraffic (TestNodeORMs) through the pgrmw
// proxy; see sequelize.js for the conventions (PGRMW_URL, one
// application_name per case, balances checked, non-zero exit on failure).
// Entities are EntitySchemas so the script runs on plain node (no decorators).
'use strict';
require('reflect-metadata');
const { DataSource, EntitySchema } = require('typeorm');

const url = process.env.PGRMW_URL;
if (!url) {
  console.error('PGRMW_URL not set');
  process.exit(2);
}

const Account = new EntitySchema({
  name: 'Account',
  tableName: 'account',
  columns: {
    id: { type: 'int', primary: true },
    owner: { type: 'varchar' },
    balance: { type: 'int' },
  },
});

// @VersionColumn: TypeORM bumps it on save but never checks it.
const Post = new EntitySchema({
  name: 'Post',
  tableName: 'post',
  columns: {
    id: { type: 'int', primary: true },
    title: { type: 'varchar' },
    balance: { type: 'int' },
    version: { type: 'int', version: true },
  },
});

async function connect(app, synchronize = false) {
  const ds = new DataSource({
    type: 'postgres',
    url,
    applicationName: app,
    entities: [Account, Post],
    synchronize,
    logging: false,
    poolSize: 2,
  });
  await ds.initialize();
  return ds;
}

async function using(app, fn) {
  const ds = await connect(app);
  try {
    await fn(ds);
  } finally {
    await ds.destroy();
  }
}

const cases = [
  {
    name: 'to_naive_save', id: 1, balance: 250,
    run: () => using('to_naive_save', async (ds) => {
      const repo = ds.getRepository(Account);
      const a = await repo.findOneBy({ id: 1 });
      a.balance += 150;
      await repo.save(a);
    }),
  },
  {
    name: 'to_update', id: 2, balance: 250,
    run: () => using('to_update', async (ds) => {
      const repo = ds.getRepository(Account);
      const a = await repo.findOneBy({ id: 2 });
      await repo.update({ id: 2 }, { balance: a.balance + 150 });
    }),
  },
  {
    name: 'to_increment', id: 3, balance: 250,
    run: () => using('to_increment', async (ds) => {
      const repo = ds.getRepository(Account);
      await repo.findOneBy({ id: 3 });
      await repo.increment({ id: 3 }, 'balance', 150);
    }),
  },
  {
    name: 'to_pessimistic_write', id: 4, balance: 250,
    run: () => using('to_pessimistic_write', async (ds) => {
      await ds.manager.transaction(async (m) => {
        const a = await m.findOne(Account, { where: { id: 4 }, lock: { mode: 'pessimistic_write' } });
        a.balance += 150;
        await m.getRepository(Account).save(a);
      });
    }),
  },
  {
    name: 'to_version_column', id: 5, balance: 250, post: true,
    run: () => using('to_version_column', async (ds) => {
      const repo = ds.getRepository(Post);
      const p = await repo.findOneBy({ id: 5 });
      p.balance += 150;
      await repo.save(p);
    }),
  },
  {
    name: 'to_repeatable_read', id: 7, balance: 250,
    run: () => using('to_repeatable_read', async (ds) => {
      await ds.manager.transaction('REPEATABLE READ', async (m) => {
        const repo = m.getRepository(Account);
        const a = await repo.findOneBy({ id: 7 });
        a.balance += 150;
        await repo.save(a);
      });
    }),
  },
  {
    // QueryBuilder: setLock('pessimistic_write') and an UPDATE built by hand.
    name: 'to_query_builder_lock', id: 8, balance: 250,
    run: () => using('to_query_builder_lock', async (ds) => {
      await ds.manager.transaction(async (m) => {
        const a = await m.createQueryBuilder(Account, 'a').setLock('pessimistic_write')
          .where('a.id = :id', { id: 8 }).getOne();
        await m.createQueryBuilder().update(Account).set({ balance: a.balance + 150 })
          .where('id = :id', { id: 8 }).execute();
      });
    }),
  },
  {
    // FOR KEY SHARE (TypeORM's 'for_key_share') does not guard the balance.
    name: 'to_for_key_share', id: 9, balance: 250,
    run: () => using('to_for_key_share', async (ds) => {
      await ds.manager.transaction(async (m) => {
        const a = await m.findOne(Account, { where: { id: 9 }, lock: { mode: 'for_key_share' } });
        await m.update(Account, { id: 9 }, { balance: a.balance + 150 });
      });
    }),
  },
  {
    // The @VersionColumn does not help: both read version 1, both save, the
    // +150 is lost for real.
    name: 'to_version_race', id: 6, balance: 500, post: true,
    run: async () => {
      const da = await connect('to_version_race_a');
      const db = await connect('to_version_race_b');
      try {
        const ra = da.getRepository(Post);
        const rb = db.getRepository(Post);
        const [a, b] = await Promise.all([ra.findOneBy({ id: 6 }), rb.findOneBy({ id: 6 })]);
        a.balance += 150;
        await ra.save(a);
        b.balance += 400;
        await rb.save(b);
      } finally {
        await da.destroy();
        await db.destroy();
      }
    },
  },
];

async function main() {
  const mig = await connect('to_migrate', true);
  for (const c of cases) {
    if (c.post) {
      await mig.getRepository(Post).insert({ id: c.id, title: 'p' + c.id, balance: 100 });
    } else {
      await mig.getRepository(Account).insert({ id: c.id, owner: 'owner' + c.id, balance: 100 });
    }
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
    const row = await mig.getRepository(c.post ? Post : Account).findOneBy({ id: c.id });
    if (row.balance !== c.balance) {
      console.error(`${c.name}: balance ${row.balance}, want ${c.balance}`);
      failed++;
    } else {
      console.log(`${c.name}: ok (balance ${row.balance})`);
    }
  }
  await mig.destroy();
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e.stack || e);
  process.exit(1);
});
