"""Who is acting in a story: people, their roles and the countries they act for."""
