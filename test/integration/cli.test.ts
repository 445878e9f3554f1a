import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#src/config/config';
import { fixture } from '../support/fixtures';

const exec = promisify(execFile);
const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');

function cli(args: string[], env: Record<string, string> = {}) {
  return exec(TSX, [join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    cwd: REPO_ROOT,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('command line', () => {
  const databaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'cw-cli-')), 'cli.db')}`;

  it('has --help for every command', async () => {
    for (const command of [
      'migrate',
      'import',
      'export',
      'stats',
      'serve',
      'campaigns',
      'operators',
      'officials',
      'agencies',
      'check',
    ]) {
      const { code, stdout } = await cli([command, '--help']);
      expect(code, command).toBe(0);
      expect(stdout).toContain(`Usage: counterwatch ${command}`);
    }
    expect((await cli(['import', '--help'])).stdout).toContain('atlas');
  });

  it('imports, reports rejected rows with file and line, and prints stats and exports', async () => {
    const env = { DATABASE_URL: databaseUrl };
    expect((await cli(['migrate'], env)).code).toBe(0);
    // A file whose name holds no date is refused until its as-of date is given, and nothing is written.
    const undated = await cli(['import', 'census-states', fixture('states.psv')], env);
    expect(undated.code).toBe(2);
    expect(undated.stderr).toContain('give the date the data was current with --as-of YYYY-MM-DD');
    expect(undated.stderr).toContain('Nothing was written');
    expect(JSON.parse((await cli(['stats'], env)).stdout).places).toEqual({});
    expect((await cli(['import', 'census-states', fixture('states.psv'), '--as-of', '2017'], env)).stdout).toContain(
      '(as of 2017): read 57, created 57',
    );
    const broken = await cli(['import', 'atlas', fixture('atlas-broken.csv'), '--as-of', '2020-10-07'], env);
    expect(broken.code).toBe(0);
    expect(broken.stdout).toContain('read 8, created 4, updated 0, unchanged 0, rejected 4');
    expect(broken.stdout).toContain('atlas-broken.csv:3: State: "XX" is not a US state or territory code');
    const stats = JSON.parse((await cli(['stats'], env)).stdout);
    expect(stats.deployments).toBe(4);
    const check = await cli(['check'], env);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(
      /^\d+ of 4 agencies are placed on the map\.\nCity and town agencies: \d+ of \d+ \(\d+\.\d\d%\) are drawn more than 25 km from their town's point/,
    );
    expect(JSON.parse((await cli(['check', '--json'], env)).stdout)).toMatchObject({ agencies: 4, toleranceKm: 25 });
    const merge = await cli(['agencies', 'merge', 'ma-nowhere', 'ma-elsewhere'], env);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toBe('error: no agency has the id "ma-nowhere"; nothing was changed\n');
    const geojson = JSON.parse((await cli(['export', '--format', 'geojson'], env)).stdout);
    expect(geojson.features).toHaveLength(4);
  });

  it('lists, renames, reviews and merges technologies, keeping every deployment and what imports read', async () => {
    const env = { DATABASE_URL: databaseUrl };
    await cli(['import', 'census-states', fixture('states.psv'), '--as-of', '2017'], env);
    // The broken fixture's "Mind Reading" row (a test value) made a technology of its own, unreviewed.
    await cli(['import', 'atlas', fixture('atlas-broken.csv'), '--as-of', '2020-10-07'], env);
    const unreviewed = await cli(['technologies', 'list', '--unreviewed'], env);
    expect(unreviewed.stdout).toMatch(/^mind-reading +UNREVIEWED +1 +Mind Reading\n$/);
    expect((await cli(['technologies', 'rename', 'mind-reading', 'Mind-reading devices'], env)).stdout).toBe(
      'renamed mind-reading to "Mind-reading devices"\n',
    );
    expect((await cli(['technologies', 'review', 'mind-reading', '--description', 'A test value.'], env)).stdout).toBe(
      'mind-reading is reviewed\n',
    );
    expect((await cli(['technologies', 'list', '--unreviewed'], env)).stdout).toBe(
      'every technology has been reviewed\n',
    );
    const listed = JSON.parse((await cli(['technologies', 'list', '--json'], env)).stdout) as Array<{
      slug: string;
      name: string;
      synonyms: string[];
      reviewed: boolean;
      deployments: number;
    }>;
    expect(listed.find((t) => t.slug === 'mind-reading')).toEqual(
      expect.objectContaining({
        name: 'Mind-reading devices',
        synonyms: ['Mind Reading'],
        reviewed: true,
        deployments: 1,
      }),
    );
    const merged = await cli(['technologies', 'merge', 'mind-reading', 'predictive-policing'], env);
    expect(merged.stdout).toBe(
      "merged mind-reading into predictive-policing: 1 deployment(s) moved, 0 combined with predictive-policing's own; /technologies/mind-reading now redirects\n",
    );
    const again = await cli(['technologies', 'merge', 'mind-reading', 'drones'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('error: "mind-reading" was merged into "predictive-policing"; nothing was changed\n');
    expect(JSON.parse((await cli(['stats'], env)).stdout).deployments).toBe(4);
    // The old names are synonyms now: importing the file again finds the merged technology and changes nothing.
    expect(
      (await cli(['import', 'atlas', fixture('atlas-broken.csv'), '--as-of', '2020-10-07'], env)).stdout,
    ).toContain('read 8, created 0, updated 0, unchanged 4, rejected 4');
  });

  it('refuses a wrong-shaped file with exit code 2 and a message that says nothing was written', async () => {
    const result = await cli(['import', 'atlas', fixture('mayors-sample-wrong-shape.csv')], {
      DATABASE_URL: databaseUrl,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refused');
    expect(result.stderr).toContain('Nothing was written');
    expect(result.stderr).not.toContain('    at ');
  });

  it('explains a bad kind, format or database URL in one line', async () => {
    expect((await cli(['import', 'nope', 'x.csv'], { DATABASE_URL: databaseUrl })).stderr).toMatch(
      /unknown import kind "nope"; the kinds are: census-states/,
    );
    const format = await cli(['export', '--format', 'xml'], { DATABASE_URL: databaseUrl });
    expect(format.code).not.toBe(0);
    expect(format.stderr).toContain('Allowed choices are json, csv, geojson');
    const url = await cli(['stats'], { DATABASE_URL: 'mysql://x' });
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('DATABASE_URL must start with postgres:// or sqlite:');
  });

  it('runs the campaign, operator and roster commands, with one-line errors naming the option', async () => {
    const env = { DATABASE_URL: databaseUrl, SUPPORTER_KEY: randomBytes(32).toString('base64') };
    const created = await cliWithInput(
      ['operators', 'create', 'Editor@Example.org'],
      'a long enough passphrase\n',
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('operator editor@example.org (admin) created');
    const organizer = await cliWithInput(
      ['operators', 'create', 'organizer@example.org', '--role', 'organizer'],
      'a long enough passphrase\n',
      env,
    );
    expect(organizer.stdout).toContain('(organizer) created');
    expect(
      (
        await cliWithInput(
          ['operators', 'create', 'x@example.org', '--role', 'boss'],
          'a long enough passphrase\n',
          env,
        )
      ).stderr,
    ).toContain('--role: "boss" is not a role');
    expect((await cli(['operators', 'role', 'organizer@example.org', 'moderator'], env)).stdout).toContain(
      'is now moderator',
    );
    expect((await cli(['operators', 'role', 'nobody@example.org', 'moderator'], env)).stderr).toContain(
      'no operator is nobody@example.org',
    );
    expect((await cliWithInput(['operators', 'create', 'other@example.org'], 'short\n', env)).stderr).toContain(
      'at least 12 characters',
    );
    expect(
      JSON.parse((await cli(['operators', 'list'], env)).stdout).map(
        (o: { email: string; role: string }) => `${o.email} ${o.role}`,
      ),
    ).toEqual(['editor@example.org admin', 'organizer@example.org moderator']);

    const added = await cli(
      [
        'officials',
        'add',
        '--place',
        'ma',
        '--role',
        'police chief',
        '--name',
        'Test Chief',
        '--phone',
        '555-0100',
        '--source',
        'https://example.org/roster',
      ],
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe('added ma-massachusetts--police-chief--test-chief\n');
    const missing = await cli(['officials', 'add', '--place', 'ma', '--role', 'mayor', '--name', 'No Source'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--source must be the web address where you checked it');
    expect(
      (
        await cli(
          [
            'officials',
            'add',
            '--place',
            'nowhere',
            '--role',
            'mayor',
            '--name',
            'X Y',
            '--source',
            'https://example.org',
          ],
          env,
        )
      ).stderr,
    ).toContain('--place "nowhere" is not a known place');
    expect(
      (await cli(['officials', 'edit', 'ma-massachusetts--police-chief--test-chief', '--phone', '555-0199'], env))
        .stdout,
    ).toContain('updated');

    const campaigns = JSON.parse((await cli(['campaigns', 'list'], env)).stdout);
    expect(campaigns[0]).toMatchObject({ id: 'cancel-ring-partnership', delivery: 'off' });
    const noOrganizer = await cli(['campaigns', 'delivery', 'cancel-ring-partnership', 'test'], env);
    expect(noOrganizer.code).toBe(2);
    expect(noOrganizer.stderr).toContain('give --organizer EMAIL');
    expect(
      (
        await cli(
          ['campaigns', 'delivery', 'cancel-ring-partnership', 'test', '--organizer', 'editor@example.org'],
          env,
        )
      ).stdout,
    ).toContain('delivery test');
    expect(JSON.parse((await cli(['campaigns', 'deliver'], env)).stdout)).toMatchObject({
      sent: 0,
      bounced: 0,
      failed: 0,
    });
    expect((await cli(['campaigns', 'export-supporters', 'cancel-ring-partnership'], env)).stdout).toBe('name,email\n');
    expect((await cli(['campaigns', 'export-supporters', 'nope'], env)).stderr).toContain(
      'no campaign has the id "nope"',
    );
  });
});

function cliWithInput(
  args: string[],
  input: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      cwd: REPO_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}
