// drizzle-kit sees the base tables only. Use `drizzle-kit generate` and
// drizzle-orm's migrate(); never `drizzle-kit push` against a database with
// softdelete tables: push drops every table the schema does not declare,
// the virtual tables included (main.js shows it).
module.exports = {
  dialect: 'sqlite',
  schema: './schema/base.js',
  out: './drizzle',
};
